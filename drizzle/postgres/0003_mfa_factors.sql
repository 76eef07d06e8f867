CREATE TABLE "mfa_factors" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"type" text NOT NULL,
	"name" text,
	"sealed_secret" text,
	"created_at" bigint NOT NULL,
	"confirmed_at" bigint,
	"expires_at" bigint,
	"last_used_at" bigint,
	"last_step" bigint
);
--> statement-breakpoint
CREATE TABLE "recovery_codes" (
	"user_id" text NOT NULL,
	"code_hash" text NOT NULL,
	"created_at" bigint NOT NULL,
	CONSTRAINT "recovery_codes_user_id_code_hash_pk" PRIMARY KEY("user_id","code_hash")
);
--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "assurance_level" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "auth_methods" jsonb DEFAULT '["pwd"]'::jsonb NOT NULL;--> statement-breakpoint
-- Edited by hand: existing sessions get their creation as their last authentication, then the
-- column becomes NOT NULL as the schema says.
ALTER TABLE "sessions" ADD COLUMN "auth_time" bigint;--> statement-breakpoint
UPDATE "sessions" SET "auth_time" = "created_at";--> statement-breakpoint
ALTER TABLE "sessions" ALTER COLUMN "auth_time" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "step_up_deadline" bigint;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "mfa_totp_failures" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "mfa_totp_locked_at" bigint;--> statement-breakpoint
ALTER TABLE "mfa_factors" ADD CONSTRAINT "mfa_factors_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recovery_codes" ADD CONSTRAINT "recovery_codes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "mfa_factors_user_id_idx" ON "mfa_factors" USING btree ("user_id");