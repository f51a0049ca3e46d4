import sys

from vadcore.slot.run import main

sys.exit(main())
