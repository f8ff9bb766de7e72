# Encore: `make run` serves the marketplace, `make test` runs the suite.
# With no DATABASE_URL / REDIS_URL, both use an embedded PostgreSQL and Redis under var/.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.DEFAULT_GOAL := help
.PHONY: help install run manage shell test test-fast lint format typecheck floors k8s-validate migrations check-deploy bench-catalog clean-var messages

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP) ## Create .venv and install the pinned dependencies

run: install ## Serve the marketplace on http://127.0.0.1:8000 with a Celery worker and beat
	$(BIN)/python -m marketplace.dev run

# `@`: make does not echo the command, so `make manage ARGS="dumpdata ..." > data.json` is clean JSON.
manage: install ## Run a manage.py command (shares the servers of a running `make run`): make manage ARGS="createsuperuser"
	@$(BIN)/python -m marketplace.dev manage $(ARGS)

shell: install ## Django shell (shares the servers of a running `make run`)
	@$(BIN)/python -m marketplace.dev manage shell $(ARGS)

test: install ## Run the whole test suite (browser tests too when Chromium is installed)
	$(BIN)/python -m marketplace.dev test $(PYTEST_ARGS)

test-fast: install ## Run the suite without the browser tests
	$(BIN)/python -m marketplace.dev test -m "not browser" $(PYTEST_ARGS)

lint: install ## ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install ## Format and fix what ruff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install ## mypy (django-stubs, DRF stubs) over the kernel and every app's services, selectors and tasks
	DJANGO_SECRET_KEY=typecheck $(BIN)/mypy

floors: ## Fail on an import upwards or an import cycle (docs/architecture.md: the floors)
	$(PYTHON) scripts/check_floors.py

k8s-validate: install ## Validate the Kubernetes manifests (deploy/k8s) offline against the Kubernetes schemas
	$(BIN)/kubernetes-validate --strict --quiet $(filter-out deploy/k8s/kustomization.yaml,$(wildcard deploy/k8s/*.yaml))

migrations: install ## Fail when a model change has no migration
	DJANGO_SECRET_KEY=makemigrations-check $(BIN)/python manage.py makemigrations --check --dry-run

check-deploy: install ## Production settings (HTTPS, a real secret, Stripe keys) pass Django's deployment checklist
	DJANGO_SECURE=true DJANGO_SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
		DJANGO_ALLOWED_HOSTS=encore.example STRIPE_SECRET_KEY=sk_placeholder STRIPE_PUBLISHABLE_KEY=pk_placeholder \
		STRIPE_WEBHOOK_SECRET=whsec_placeholder $(BIN)/python manage.py check --deploy --fail-level WARNING

LANGUAGES := de fr es it ja
messages: install ## Update every shipped language's .po from the code and templates, then compile the .mo files
	DJANGO_SECRET_KEY=makemessages $(BIN)/python manage.py makemessages $(addprefix -l ,$(LANGUAGES)) \
		--add-location file --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'bench/*' --ignore 'deploy/*'
	DJANGO_SECRET_KEY=compilemessages $(BIN)/python manage.py compilemessages --ignore '.venv/*'

clean-var: ## Delete the embedded servers' data (var/)
	rm -rf var/
