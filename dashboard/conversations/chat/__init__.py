"""Live text chat in the widget: a visitor's messages go to the agent's model and its reply streams back."""
