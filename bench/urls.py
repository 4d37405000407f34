"""The product's URLs plus /bench/ceiling/: the cheapest answer Django can give through the same
server, settings and middleware, as the ceiling every page is compared with (bench/run.py)."""

from django.http import HttpResponse
from django.urls import path

from config import urls as product


def ceiling(request):
    return HttpResponse(b"ok", content_type="text/plain")


handler400 = product.handler400
handler500 = product.handler500
urlpatterns = [path("bench/ceiling/", ceiling), *product.urlpatterns]
