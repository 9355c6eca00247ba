"""Figure sources: unsplash-style and loremflickr-style URL templates, captions.

A figure's caption is ``{problem} with {stack} {kind} {n}``, where ``n`` counts figures from 1
through the whole post (lead figures first, then checklist figures), as in the specimen.
"""

from __future__ import annotations

UNSPLASH_SOURCE = "unsplash"
UNSPLASH_URL = "https://images.unsplash.com/photo-{photo}?auto=format&fit=crop&w=1200&q=80"
UNSPLASH_PHOTOS: tuple[str, ...] = (
    "1555949963-aa79dcee981c",
    "1555066931-4365d14bab8c",
    "1498050108023-c5249f4df085",
    "1515879218367-8466d910aaa4",
    "1461749280684-dccba630e2f6",
    "1517694712202-14dd9538aa97",
    "1504639725590-34d0984388bd",
    "1526374965328-7f61d4dc18c5",
    "1550751827-4bd374c3f58b",
    "1518770660439-4636190af475",
    "1488590528505-98d2b5aba04b",
    "1531297484001-80022131f5a1",
    "1542831371-29b0f74f9713",
    "1551288049-bebda4e38f71",
    "1460925895917-afdab827c52f",
    "1519389950473-47ba0277781c",
    "1573164713988-8665fc963095",
    "1537432376769-00f5c2f4c8d2",
    "1580894894513-541e068a3e2b",
    "1558494949-ef010cbdcc31",
    "1544197150-b99a580bb7a8",
    "1563986768609-322da13575f3",
    "1571171637578-41bc2dd41cd2",
    "1607799279861-4dd421887fb3",
)

LOREMFLICKR_SOURCE = "loremflickr.com"
LOREMFLICKR_URL = "https://loremflickr.com/1200/630/{tags}?lock={lock}"
LOREMFLICKR_TAGS: tuple[str, ...] = (
    "code,developer",
    "server,datacenter",
    "laptop,office",
    "network,cable",
    "dashboard,chart",
    "keyboard,computer",
    "team,meeting",
    "whiteboard,diagram",
)

CAPTION_KINDS: tuple[str, ...] = (
    "visual reference",
    "visual reference",
    "diagram",
    "screenshot",
    "illustration",
)
"""The noun in a caption; one per post (``visual reference`` twice as likely)."""
