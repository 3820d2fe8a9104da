"""Every action_id and callback_id the app sends and listens for, in one place."""

# Slash command
COMMAND = "/p2p"

# Modals (callback_id)
START_VIEW = "group_start"
JOIN_VIEW = "group_join"

# Buttons (action_id)
JOIN = "group_join"
LEAVE = "group_leave"

# Kick-off
KICKOFF_SCHEDULE = "kickoff_schedule"  # button that opens the form, and the form itself
KICKOFF_ALIGNED = "kickoff_aligned"
KICKOFF_AGAIN = "kickoff_again"
CYCLE_START = "cycle_start"

# The weekly session
ATTEND_HERE = "attendance_here"
ATTEND_AWAY = "attendance_away"
ATTEND_CORRECT = "attendance_correct"  # button and form
SESSION_MOVE = "session_move"  # form

# Topics
VOTE_OPTION = "vote_option"
VOTE_CLOSE = "vote_close"
PROPOSE = "topic_propose"  # "Add a topic" button and its form
SET_TOPIC = "topic_set"  # button and form

# After the session
CHECKIN = "checkin_open"  # button, and the form
CAUGHT_UP = "catchup_done"

# End of cycle
FEEDBACK = "feedback_open"  # button, and the form
END_GROUP = "group_end"  # form
SETTINGS = "group_settings"  # form

# The interest board
WANT_OPEN = "want_open"  # "I want to learn…" (App Home): opens the want form
WANT_VIEW = "want_form"  # the want form
WANT_TOO = "want_too"  # "I want this too" on the board
WANT_DROP = "want_drop"  # "Not any more" on the board
PROPOSAL_START = "proposal_start"  # "Start this group" in the proposal DM
PROPOSAL_DECLINE = "proposal_decline"  # "Not me"
START_CHANNEL = "start_channel"  # the start form's channel picker (block and action id)
# App Home and the program view
HOME_JOIN = "home_join"  # opens the same join form as the recruitment message
HOME_CHECKIN = "home_checkin"
HOME_START = "home_start"
CALENDAR = "calendar_add"  # "Add to calendar", in the recruitment message and App Home
PROGRAM_EXPORT = "program_export"
