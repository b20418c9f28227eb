/** The seed of the synthetic CSV and XLSX files (kept apart so the report needs no exceljs import). */
export const FILES_SEED = 9_000_002;
