"""Page script; the page itself is assistant.ui.documents_page."""

from assistant.ui import documents_page
from assistant.ui.app import current

documents_page.render(current())
