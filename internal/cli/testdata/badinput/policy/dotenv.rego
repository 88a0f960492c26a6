# .env of a service, handed over by mistake
AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY/corpus0123456789
DATABASE_URL=postgres://app:correct-horse-battery-staple@db.internal.example:5432/app?sslmode=require
GITHUB_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyzCORPUS
