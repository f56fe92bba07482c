"""Excel exchange (openpyxl): the grade-entry template and its import, the grade book, an
attendance month and the roster as workbooks. Qt-free; every import checks the whole file
before anything is written."""
