ALTER TABLE `signing_keys` ADD `retiring_since` integer;--> statement-breakpoint
ALTER TABLE `signing_keys` ADD `retired_at` integer;