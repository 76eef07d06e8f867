CREATE TABLE `webauthn_challenges` (
	`id` text PRIMARY KEY NOT NULL,
	`purpose` text NOT NULL,
	`challenge` text NOT NULL,
	`user_id` text,
	`session_id` text,
	`name` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `webauthn_challenges_expires_at_idx` ON `webauthn_challenges` (`expires_at`);--> statement-breakpoint
ALTER TABLE `mfa_factors` ADD `credential_id` text;--> statement-breakpoint
ALTER TABLE `mfa_factors` ADD `public_key` text;--> statement-breakpoint
ALTER TABLE `mfa_factors` ADD `sign_count` integer;--> statement-breakpoint
ALTER TABLE `mfa_factors` ADD `transports` text;--> statement-breakpoint
ALTER TABLE `mfa_factors` ADD `backup_eligible` integer;--> statement-breakpoint
ALTER TABLE `mfa_factors` ADD `backed_up` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `mfa_factors_credential_id_idx` ON `mfa_factors` (`credential_id`);