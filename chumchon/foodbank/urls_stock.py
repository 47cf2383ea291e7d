"""Routes: the district store (stock, movements, catalogue, receiving, lots, settings)."""

from django.urls import path

from . import views_stock as views

D = "foodbank/<str:district>/"
LOT = D + "lots/<int:pk>/"

urlpatterns = [
    path(D + "stock/", views.StockView.as_view(), name="foodbank-stock"),
    path(D + "stock/movements/", views.MovementsView.as_view(), name="foodbank-movements"),
    path(D + "stock/receive/", views.ReceiveView.as_view(), name="foodbank-receive"),
    path(D + "items/", views.ItemListView.as_view(), name="foodbank-items"),
    path(D + "items/new/", views.ItemCreateView.as_view(), name="foodbank-item-new"),
    path(D + "items/<int:pk>/", views.ItemDetailView.as_view(), name="foodbank-item"),
    path(D + "items/<int:pk>/edit/", views.ItemEditView.as_view(), name="foodbank-item-edit"),
    path(LOT, views.LotView.as_view(), name="foodbank-lot"),
    path(LOT + "write-off/", views.LotWriteOffView.as_view(), name="foodbank-lot-writeoff"),
    path(LOT + "count/", views.LotCountView.as_view(), name="foodbank-lot-count"),
    path(LOT + "transfer/", views.LotTransferView.as_view(), name="foodbank-lot-transfer"),
    path(D + "store/", views.StoreEditView.as_view(), name="foodbank-store-edit"),
]
