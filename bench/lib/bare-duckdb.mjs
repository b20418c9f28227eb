// The floor for `dap query "select 1"`: the DuckDB node API alone opening the same database file and running it.
import { DuckDBInstance } from '@duckdb/node-api';

const instance = await DuckDBInstance.create(process.argv[2]);
const connection = await instance.connect();
const reader = await connection.runAndReadAll('select 1 as one');
console.log(reader.getRows()[0]?.[0]);
connection.closeSync();
instance.closeSync();
