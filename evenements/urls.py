app_name = "evenements"

urlpatterns: list = []
