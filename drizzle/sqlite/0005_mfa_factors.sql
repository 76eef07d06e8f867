CREATE TABLE `mfa_factors` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`type` text NOT NULL,
	`name` text,
	`sealed_secret` text,
	`created_at` integer NOT NULL,
	`confirmed_at` integer,
	`expires_at` integer,
	`last_used_at` integer,
	`last_step` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `mfa_factors_user_id_idx` ON `mfa_factors` (`user_id`);--> statement-breakpoint
CREATE TABLE `recovery_codes` (
	`user_id` text NOT NULL,
	`code_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `code_hash`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `sessions` ADD `assurance_level` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `sessions` ADD `auth_methods` text DEFAULT '["pwd"]' NOT NULL;--> statement-breakpoint
-- Edited by hand: SQLite adds a NOT NULL column only with a default, so the column takes 0 for
-- a moment and existing sessions then get their creation as their last authentication.
ALTER TABLE `sessions` ADD `auth_time` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
UPDATE `sessions` SET `auth_time` = `created_at`;--> statement-breakpoint
ALTER TABLE `sessions` ADD `step_up_deadline` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `mfa_totp_failures` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `mfa_totp_locked_at` integer;