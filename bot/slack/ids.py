"""Every action_id and callback_id the app sends and listens for, in one place."""

# Slash command
COMMAND = "/p2p"

# Modals (callback_id)
START_VIEW = "group_start"
JOIN_VIEW = "group_join"

# Buttons (action_id)
JOIN = "group_join"
LEAVE = "group_leave"
