"""Read side: plain rows for views, dashboards and reports, computed in SQL."""
