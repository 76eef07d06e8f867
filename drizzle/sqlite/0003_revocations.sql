CREATE TABLE `revocations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`session_id` text NOT NULL,
	`user_id` text NOT NULL,
	`reason` text NOT NULL,
	`ended_at` integer NOT NULL,
	`session_expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `revocations_session_id_unique` ON `revocations` (`session_id`);--> statement-breakpoint
CREATE INDEX `revocations_ended_at_idx` ON `revocations` (`ended_at`);