from rest_framework import serializers

from marketplace.models import Market


class MarketSerializer(serializers.ModelSerializer[Market]):
    class Meta:
        model = Market
        fields = ("code", "country", "currency", "language", "languages", "time_zone", "vat_rate_basis_points")
        read_only_fields = fields
