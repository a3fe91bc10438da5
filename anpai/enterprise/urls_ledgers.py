"""The standing ledgers: post duties (全员安全生产责任制), safety expenses and 三违."""

from django.urls import path

from anpai.enterprise import views_ledgers as V

urlpatterns = [
    path("posts/", V.PostsView.as_view(), name="posts"),
    path("posts/new/", V.PostFormView.as_view(), name="post_create"),
    path("posts/board/<int:org>/", V.PostBoardView.as_view(), name="post_board"),
    path("posts/<int:pk>/", V.PostDetailView.as_view(), name="post_detail"),
    path("posts/<int:pk>/edit/", V.PostFormView.as_view(), name="post_edit"),
    path("posts/<int:pk>/acknowledge/", V.PostAcknowledgeView.as_view(), name="post_acknowledge"),
    path("posts/<int:pk>/withdraw/", V.PostWithdrawView.as_view(), name="post_withdraw"),
    path("expenses/", V.ExpensesView.as_view(), name="expenses"),
    path("expenses/new/", V.ExpenseFormView.as_view(), name="expense_create"),
    path("expenses/export/", V.ExpenseExportView.as_view(), name="expenses_export"),
    path("expenses/<int:pk>/edit/", V.ExpenseFormView.as_view(), name="expense_edit"),
    path("expenses/<int:pk>/delete/", V.ExpenseDeleteView.as_view(), name="expense_delete"),
    path("violations/", V.ViolationsView.as_view(), name="violations"),
    path("violations/new/", V.ViolationFormView.as_view(), name="violation_create"),
    path("violations/person/", V.ViolationPersonView.as_view(), name="violation_person"),
    path("violations/export/", V.ViolationExportView.as_view(), name="violations_export"),
    path("violations/<int:pk>/edit/", V.ViolationFormView.as_view(), name="violation_edit"),
    path("violations/<int:pk>/delete/", V.ViolationDeleteView.as_view(), name="violation_delete"),
]
