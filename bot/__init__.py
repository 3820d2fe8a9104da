"""p2p: peer-learning study groups that run themselves inside Slack."""
