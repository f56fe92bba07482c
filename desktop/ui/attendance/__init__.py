"""The attendance screen: the month grid of roll call, its totals and the follow-up list."""
