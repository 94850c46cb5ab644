"""berdaya: text mining of Indonesian community-empowerment literature. Never imports prefect."""
