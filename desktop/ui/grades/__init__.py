"""The grade book screen: one subject and semester as a keyboard-driven grid."""
