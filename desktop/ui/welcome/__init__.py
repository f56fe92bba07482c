"""First start and the account: the welcome screen, signing in, the app password, the account
menu."""
