"""Page script; the page itself is assistant.ui.ask_page."""

from assistant.ui import ask_page
from assistant.ui.app import current

ask_page.render(current)  # the chat input shows before the model has loaded
