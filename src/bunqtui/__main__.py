from bunqtui.cli.main import main

raise SystemExit(main())
