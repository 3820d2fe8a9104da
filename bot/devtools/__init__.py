"""Test-only tools: a fake Slack Web API, a driver that talks to the app as Slack does,
and checkers for Web API calls and Block Kit. Never imported by the running bot.

    with FakeSlack() as fake:                                   # fake_slack/
        fake.add_user("U_ANA", name="ana", tz="Europe/Amsterdam")
        fake.add_channel("C_LEARN", name="learning", members=["U_ANA"])
        app = App(signing_secret=SECRET,
                  client=WebClient(token=fake.bot_token, base_url=fake.api_url))
        with LocalWsgiServer(SlackRequestHandler(app)) as server:   # wsgi_server.py
            slack = SlackDriver(f"{server.url}/slack/events", SECRET, fake)  # driver.py
            slack.command("U_ANA", "join", channel_id="C_LEARN")
            assert "3 seats left" in fake.find_message("C_LEARN", contains="seats").plain
        assert fake.violations == []

Other modules: slack_spec.py (Web API arguments, from spec/web_api_methods.json),
blockkit.py (Block Kit limits), block_walk.py (text and elements in blocks),
payloads.py (actions[] and view state as Slack builds them).
"""
