"""What every room of the interface shares: context, workers, widgets, labels, fonts, language, photos."""
