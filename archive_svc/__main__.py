from archive_svc.cli import main

raise SystemExit(main())
