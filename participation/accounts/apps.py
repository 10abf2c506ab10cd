from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "participation.accounts"
    label = "accounts"
