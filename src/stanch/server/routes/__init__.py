"""HTTP routers: each module here exposing `router: APIRouter` is mounted by create_app."""
