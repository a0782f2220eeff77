"""The product's URLs plus the baseline page, which exists only under bench.settings."""

from django.urls import path

from config.urls import urlpatterns as product_urlpatterns

from .views import baseline

urlpatterns = [path("bench/baseline/", baseline, name="bench_baseline"), *product_urlpatterns]
