"""The Web API fixture (web_api_methods.json) and the script that derives it."""
