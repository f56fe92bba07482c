"""``homeroom --self-test``: proof that this installation works (a checkout, a wheel or the
frozen app), run in a throwaway data and config folder.

One module per group of checks; ``runner`` runs them and prints one verdict line each, then
the summary; ``command`` is what ``homeroom --self-test`` calls. Qt is imported only by the
checks that need it (the window, the screen fonts, Qt's catalogue).
"""
