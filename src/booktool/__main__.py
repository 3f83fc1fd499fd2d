from booktool.cli.main import run

run()
