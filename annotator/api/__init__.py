"""The REST API at /api/v1/ (Django REST framework): a thin layer over the read layer and the services.

Serializers check the shape of what is sent; the services decide. Access goes through annotator/permissions.py, as
on the pages, so an outsider gets 404.
"""
