root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
netops:x:1000:1000:Network Operations,,,:/home/netops:/bin/bash
backup-automation:x:1001:1001:Backup automation account for the lab:/srv/backup:/bin/sh
