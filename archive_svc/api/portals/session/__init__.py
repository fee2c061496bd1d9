"""Sign-in, sign-out, language switch and the home page (every signed-in person)."""
