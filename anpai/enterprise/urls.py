"""Enterprise responsibility pages, under /responsibility/ with the leaders' lists.

Two groups of pages, each in its own module: commitments and self-inspection
reports (``urls_reports``), and the standing ledgers — post duties, safety
expenses and 三违 (``urls_ledgers``).
"""

from anpai.enterprise.urls_ledgers import urlpatterns as ledgers
from anpai.enterprise.urls_reports import urlpatterns as reports

app_name = "enterprise"
urlpatterns = [*reports, *ledgers]
