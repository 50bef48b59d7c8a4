"""In-person cohorts: sessions, venues, nominations, seats and attendance (scheduling arrives with the cohorts issue)."""
