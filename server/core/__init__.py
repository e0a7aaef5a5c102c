"""The thin core: settings, the database, migrations, the event log, the clock, domain errors."""
