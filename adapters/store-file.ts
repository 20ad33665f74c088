/** The SQLite file's name inside DATA_DIR. Its own module: the writer thread must not load the host's configuration. */
export const STORE_FILE_NAME = 'coexist-advisor.db';
