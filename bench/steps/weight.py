def run(ctx): pass
