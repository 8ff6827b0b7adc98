from pingyi.cli import app

app()
