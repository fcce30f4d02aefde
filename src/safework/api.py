from ninja import NinjaAPI

api = NinjaAPI(title="safework API", version="1", urls_namespace="api")
