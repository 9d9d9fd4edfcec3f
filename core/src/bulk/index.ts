// Bulk data: reading import files (a spreadsheet or CSV into rows of cells, its header row, each
// cell as the value a column needs), planning the imports, bulk changes, exports and templates.
export * from './table.ts';
export * from './decode-text.ts';
export * from './csv.ts';
export * from './xlsx.ts';
export * from './read-table.ts';
export * from './header.ts';
export * from './cells.ts';
export * from './country.ts';
export * from './plan-parts.ts';
export * from './student-import.ts';
export * from './fee-import.ts';
export * from './balance-import.ts';
export * from './student-changes.ts';
export * from './export.ts';
export * from './export-kinds.ts';
export * from './templates.ts';
