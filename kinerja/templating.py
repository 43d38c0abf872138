"""`{% cache key, ... %}…{% endcache %}`: a template fragment rendered once per process for each key.

The layout renders the same markup on every page for a given language, path prefix and set of navigation
entries: the stylesheet and script links, the navigation bar, the footer. Rendering it each time was a fifth of
the fixed cost of a signed-in page (issue 19). The fragment must depend on nothing but its key: whatever
belongs to the request or the user (the CSRF token, the unread count, the user's name) stays outside the tags.
Follows the fragment-cache example of Jinja's extension documentation.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable

from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.parser import Parser

MAX_FRAGMENTS = 2048  # languages × path prefixes × endpoints × navigation sets met in practice: far fewer


class FragmentCache(Extension):
    tags = {"cache"}

    def __init__(self, environment) -> None:
        super().__init__(environment)
        self.fragments: dict[Hashable, str] = {}
        self.lock = threading.Lock()
        environment.extend(fragment_cache=self)

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        key = [nodes.Const(parser.name), parser.parse_expression()]  # keys never meet across templates
        while parser.stream.skip_if("comma"):
            key.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        call = self.call_method("_fragment", [nodes.Tuple(key, "load")])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _fragment(self, key: tuple, caller: Callable[[], str]) -> str:
        if self.environment.auto_reload:  # templates reloaded as they change (debug): so are the fragments
            return caller()
        fragment = self.fragments.get(key)
        if fragment is None:
            fragment = caller()  # Markup: the body was rendered with autoescaping
            with self.lock:
                if len(self.fragments) >= MAX_FRAGMENTS:
                    self.fragments.clear()
                self.fragments[key] = fragment
        return fragment
