"""The versioned class exchange file (JSON): export a profile's class, import it elsewhere."""
