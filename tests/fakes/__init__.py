"""Local fakes of remote services, driven through their real clients (never by monkeypatching)."""
