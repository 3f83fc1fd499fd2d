from booktool.cli import run

run()
