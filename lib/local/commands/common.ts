import { Option } from 'commander';

/** Options every local command shares, so `--env` and `--data-dir` mean the same thing everywhere. */
export const envOption = () =>
  new Option('-e, --env <name>', 'environment (config/environments/<name>.json)').default('dev');
export const dataDirOption = () =>
  new Option('--data-dir <dir>', 'local data folder standing for S3 (default .dap)').env('DAP_DATA_DIR');

export interface GlobalOptions {
  readonly root: string;
}
